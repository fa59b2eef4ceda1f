"""Destination actions: tracking events sent on to a vendor as they arrive (seed 002).

A destination connects a source to a vendor connection; each of its actions has a trigger
(which events) and a mapping (vendor attribute ← event path). ``spec`` reads definitions,
``fanout`` hands events to the actions that select them, ``kinds`` says what each kind of
action asks of the vendor, and ``delivery`` carries that out in batches, in order per user.
"""
