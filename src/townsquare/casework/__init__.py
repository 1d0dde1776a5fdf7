"""What staff do on the desk: the work page and its actions, the citizen 360 view, case actions (open, status,
assign, link, merge), and the desk's other pages' reads and changes.

Orchestrates the domains for one member of staff's action and returns typed read models to the desk; a
function commits only when its name and docstring say so.
"""
