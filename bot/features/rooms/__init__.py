"""Full rooms (``/full``), the notice to a full room's subscribers, and talks likely to fill their room."""
