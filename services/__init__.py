"""The service catalogue, service requests and records, and activities with verified check-in.

Choices made where the issue was silent (the users: staff in an office, members on a phone in
WeChat's browser):

- Search: substring match (icontains) over title and description, which suits Chinese (no word
  breaks); ASCII letters also match a stored pinyin column - full pinyin or initials, so
  "dangjian" and "djzd" both find 党建指导 (pypinyin, computed in Service.save()).
- Requests: any logged-in user may request (members, enterprise contacts, the public); a
  member's employer is recorded as the enterprise. Staff dispatch (派单) only to an active
  organisation providing the service; a decline needs a reason and returns the request to staff
  to dispatch again; the requester may withdraw until it is accepted. "Overdue" means no answer
  within SERVICES_REQUEST_ANSWER_DAYS days: staff for a new request, the organisation for a
  dispatched one. The hourly scan flags each once and tells staff and the organisation.
- Notices: e-mail to the requester, the organisation's duty and backup contacts, and staff for
  new, declined, overdue and rated requests; never to the person who took the step.
- Records: a completed request creates its record; a provider's contact or staff may record one
  directly (one photo in the form, more in the admin). The duty week is the one containing the
  date. Records are exported to xlsx/csv from the admin.
- Activities: created by staff in the admin (points are a budget decision). Sign-up closes at the
  deadline; a full activity takes a waiting list in sign-up order; a cancellation (allowed until
  the start) or a larger capacity moves the first waiting members up, who are e-mailed.
- Check-in: the desk shows a QR code of a link with a signed token (activity id and a one-minute
  window, TimestampSigner), refreshed every 30 s by htmx, valid for 5 minutes. Opening the link
  asks the logged-in member to confirm (GET never changes anything). Only members with a
  confirmed place may scan, from 30 minutes before the start to 30 minutes after the end; the
  organiser may tick anyone signed up (waiting list included, e.g. a free seat on the day).
  Points go through points.actions with source "activity:<id>:member:<id>": once per attendance,
  clipped to the monthly cap (the attendance still counts when the cap is reached).
"""
