"""A personal agenda: starred talks, "starting soon" reminders, /my, .ics and the calendar feed."""
