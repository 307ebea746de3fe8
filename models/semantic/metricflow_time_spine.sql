-- The daily time spine MetricFlow needs to fill and align time periods: one row per day of
-- the conformed date dimension, so metrics cover exactly the calendar the star covers.
select cast(date_day as date) as date_day
from {{ ref('dim_dates') }}
