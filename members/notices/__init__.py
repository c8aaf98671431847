"""One way to tell people things: the notice outbox, its channels and the in-site inbox.

Every app tells people through `members.notices.actions.notify` (or `notify_group` for the
staff's group robots), called inside the transaction of the change it reports. See models.py
for the lifecycle and the README ("Notifications") for the guarantee.
"""
