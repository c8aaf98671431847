"""Similar-wish detection shown to staff on the routing page and in the admin."""

from __future__ import annotations

from wishes.models import Wish
from wishes.similarity import similar_wishes


def test_a_reworded_wish_is_found_and_an_unrelated_one_is_not(make_wish, public_user):
    first = make_wish(
        Wish.Status.PUBLISHED, title="开通通勤公交", text="希望开通小镇到城区的通勤公交"
    )
    unrelated = make_wish(title="书吧增加专业书籍", text="希望书吧增加测绘遥感书籍")
    second = make_wish(
        title="通勤公交线路", text="希望开通到城区和高铁站的通勤公交", wisher=public_user
    )
    found = [wish for wish, _score in similar_wishes(second)]
    assert found == [first]
    assert unrelated not in found


def test_staff_see_similar_wishes_on_the_routing_page_and_in_the_admin(
    client, staff, make_wish, public_user
):
    make_wish(Wish.Status.PUBLISHED, title="开通通勤公交", text="希望开通小镇到城区的通勤公交")
    second = make_wish(title="通勤公交线路", text="希望开通到城区的通勤公交", wisher=public_user)
    client.force_login(staff)
    assert "开通通勤公交" in client.get(f"/wishes/{second.pk}/route/").content.decode()
    page = client.get(f"/admin/wishes/wish/{second.pk}/change/").content.decode()
    assert "开通通勤公交" in page
