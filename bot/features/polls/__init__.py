"""Live polls: /poll on a talk, posted to its room's announcement chats, votes from every platform added up."""
