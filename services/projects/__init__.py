"""项目领办 (members lead projects for the town), 党员示范岗 and the 党员专家工作室.

Its own app (label `projects`) inside the services package: the design card fixes the
top-level folders, and it sits in the services layer (it awards points through
`points.actions`; deqing_hub reads it only through `services.projects.queries`).

Choices made where the issue was silent:

- Lifecycle (one action each, `actions.py`): 确立项目 `set_project` (centre staff or the
  branch's secretary) → 认领承诺 `claim_project` (a member with a login, with a public pledge;
  the claimant leads, team members may be named) → 履诺 `report_progress` (someone on the team,
  text and photos through the portal's one photo check) → 群众评议 `open_rating` (staff or
  secretary, when delivery is reported; the window has an end date) → `complete_project` (the
  window closes; delivery points to each team member) → 评选表彰 `commend_project` (centre
  staff only; commendation points). 领导点评 `comment_on_project` is allowed from the claim on
  and does not move the status.
- A project's deadline is the date it must be delivered by: it cannot be claimed after it.
- Rating: any logged-in person except the project's own team, once (a database constraint),
  1 to 5 stars with a reason, only while the window is open. Anonymous visitors read them.
- Points: PROJECT_DELIVERY_POINTS per team member on completion and
  PROJECT_COMMENDATION_POINTS on commendation, through `points.actions.award` with the sources
  "project:<id>:completed" and "project:<id>:commended" (once each, within the monthly cap).
"""
