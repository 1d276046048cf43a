"""A person's right to see and erase their data (/mydata, /forget), and how long data is kept."""
