"""The helpdesk: an attendee's ticket to the organizers and their answers back."""
