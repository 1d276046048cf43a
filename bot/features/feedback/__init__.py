"""Talk ratings: /rate, the comment, the prompts after each talk and the speakers' digest."""
