"""The monthly and yearly rankings: computing, closing (publishing) and presenting them.

1. `refresh_member_totals(month)` sums the month's earned ledger points per member into
   `MemberMonthTotal` (a periodic task keeps the open months fresh; closing refreshes once more).
2. `compute_month(month)` builds a month's ranking payload from those totals and from the
   alliance records of the month (a fixed number of queries, whatever the data size).
3. `close_month(month)` freezes that payload in a `RankingSnapshot` with a SHA-256 content hash;
   closing again returns the same snapshot and changes nothing.
4. `month_summary(month)` is what the month page reads: the first rows of each table and the
   trend, stored with the snapshot when it is closed (summary). `month_payload(month)` is
   what the other pages read: the snapshot of a closed month, else the cached
   provisional payload. Names are applied only when presenting (`present_volunteers`), from the
   members' consent at that moment, so a withdrawn consent takes effect on published months too.

Volunteers rank by points, then by more ledger entries (more occasions served), then by the
pinyin of their name. Branches rank by points per member, then by total points, then pinyin.
Organisations rank by score, then by more services delivered, then pinyin. The yearly ranking
sums the closed months' scores plus the exchange meetings attended, then services, then pinyin.

One module per concern: totals (1), months (2, 3: computing and closing), reading (4, labels),
summary (the month page's summary, the trend), years (the yearly ranking), formulas, cache,
order (pinyin ties).
"""

from deqing_hub.ranking.cache import (
    CACHE_SECONDS,
    PAGE_NUMBERS,
    cache_key,
    cache_version,
    cached,
    invalidate_cache,
)
from deqing_hub.ranking.formulas import save_formula
from deqing_hub.ranking.months import FIRST_MONTH, PAYLOAD_VERSION, close_month, compute_month
from deqing_hub.ranking.order import pinyin_key, sort_with_pinyin_ties
from deqing_hub.ranking.reading import (
    COMPONENT_LABELS,
    TIE_RULES,
    MonthRanking,
    PublishedStamp,
    consenting_names,
    month_payload,
    month_summary,
    own_place,
    own_place_in,
    present_rows,
    present_volunteers,
    provisional_summary,
    published_stamp,
    published_summary,
    warm_month,
)
from deqing_hub.ranking.summary import SUMMARY_ROWS, organisation_trend, summarise
from deqing_hub.ranking.totals import open_months, refresh_member_totals
from deqing_hub.ranking.years import compute_year, year_ranking

__all__ = [
    "CACHE_SECONDS",
    "COMPONENT_LABELS",
    "FIRST_MONTH",
    "PAGE_NUMBERS",
    "PAYLOAD_VERSION",
    "SUMMARY_ROWS",
    "TIE_RULES",
    "MonthRanking",
    "PublishedStamp",
    "cache_key",
    "cache_version",
    "cached",
    "close_month",
    "compute_month",
    "compute_year",
    "consenting_names",
    "invalidate_cache",
    "month_payload",
    "month_summary",
    "open_months",
    "organisation_trend",
    "own_place",
    "own_place_in",
    "pinyin_key",
    "present_rows",
    "present_volunteers",
    "provisional_summary",
    "published_stamp",
    "published_summary",
    "refresh_member_totals",
    "save_formula",
    "sort_with_pinyin_ties",
    "summarise",
    "warm_month",
    "year_ranking",
]
