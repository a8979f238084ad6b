-- The raw SQL lower bound of the executive dashboard: every aggregate of
-- shared/spec/metrics.md (headline, buckets, funnel, series, outcomes,
-- calibration) for the whole portfolio as of a date, computed directly in
-- PostgreSQL in five statements, with no application code around them.
--
--   psql -X -v as_of=2026-06-30 -v raw=false -f bench/dashboard_lower_bound.sql
--
-- as_of: the as-of date (default: today).
-- raw=false (default): spend is read from the monthly rollup portfolio_spendmonth
--   for the months before as_of's month, and from the entries of as_of's month,
--   as an engine reading the rollup would.
-- raw=true: spend is summed from every row of portfolio_spendentry (what it costs
--   without the rollup; grows with the number of spend rows).
--
-- bench/run times each statement with \timing and adds them up; it also checks
-- the figures against the app's /api/metrics where it can.

\if :{?as_of}
\else
SELECT current_date::text AS as_of \gset
\endif
\if :{?raw}
\else
\set raw false
\endif

-- 1. Headline and strategic buckets (one pass over the projects: GROUPING SETS).
WITH scope AS (
    SELECT p.id, p.bucket, p.projected_expected
    FROM portfolio_project p
    WHERE p.status <> 'draft' AND p.submitted_on <= :'as_of'
),
last_decision AS (
    SELECT DISTINCT ON (gd.project_id) gd.project_id, gd.decision, g.number AS gate
    FROM gates_gatedecision gd
    JOIN gates_gate g ON g.id = gd.gate_id
    WHERE gd.decided_on <= :'as_of'
    ORDER BY gd.project_id, gd.decided_on DESC, gd.sequence DESC
),
status AS (
    SELECT s.id, s.bucket, s.projected_expected,
        CASE
            WHEN l.decision = 'go' AND l.gate = 4 THEN 'greenlit'
            WHEN l.decision = 'kill' THEN 'killed'
            WHEN l.decision = 'hold' THEN 'on_hold'
            ELSE 'active'
        END AS status
    FROM scope s
    LEFT JOIN last_decision l ON l.project_id = s.id
),
spend_rows AS (
\if :raw
    SELECT se.project_id, se.amount
    FROM portfolio_spendentry se
    WHERE se.spent_on <= :'as_of'
\else
    SELECT sm.project_id, sm.amount
    FROM portfolio_spendmonth sm
    WHERE sm.month < date_trunc('month', :'as_of'::date)::date
    UNION ALL
    SELECT se.project_id, se.amount
    FROM portfolio_spendentry se
    WHERE se.spent_on >= date_trunc('month', :'as_of'::date)::date AND se.spent_on <= :'as_of'
\endif
),
spend AS (
    SELECT project_id, sum(amount) AS amount FROM spend_rows GROUP BY project_id
),
funding AS (
    SELECT coalesce(sum(gd.funding_granted), 0) AS amount
    FROM gates_gatedecision gd
    JOIN scope s ON s.id = gd.project_id
    WHERE gd.decided_on <= :'as_of'
),
realized AS (
    SELECT coalesce(sum(o.realized_value), 0) AS amount
    FROM portfolio_outcome o
    JOIN scope s ON s.id = o.project_id
    WHERE o.month <= :'as_of'
),
totals AS (
    SELECT st.bucket,
        GROUPING(st.bucket) AS is_total,
        count(*) AS projects,
        count(*) FILTER (WHERE st.status = 'active') AS active,
        count(*) FILTER (WHERE st.status = 'on_hold') AS on_hold,
        count(*) FILTER (WHERE st.status = 'greenlit') AS greenlit,
        count(*) FILTER (WHERE st.status = 'killed') AS killed,
        coalesce(sum(sp.amount), 0) AS cumulative_spend,
        coalesce(sum(sp.amount) FILTER (WHERE st.status = 'killed'), 0) AS killed_spend,
        coalesce(sum(st.projected_expected) FILTER (WHERE st.status = 'greenlit'), 0)
            AS projected_value_greenlit
    FROM status st
    LEFT JOIN spend sp ON sp.project_id = st.id
    GROUP BY GROUPING SETS ((), (st.bucket))
)
SELECT t.bucket, t.projects, t.active, t.on_hold, t.greenlit, t.killed,
    round(t.cumulative_spend, 2) AS cumulative_spend,
    round(t.killed_spend, 2) AS killed_spend,
    round(t.projected_value_greenlit, 2) AS projected_value_greenlit,
    round(t.greenlit::numeric / nullif(t.greenlit + t.killed, 0), 4) AS success_rate,
    round(t.cumulative_spend / nullif(t.greenlit, 0), 2) AS spend_per_success,
    CASE WHEN t.is_total = 1 THEN round(f.amount, 2) END AS funding_granted,
    CASE WHEN t.is_total = 1 THEN round(r.amount, 2) END AS realized_value,
    CASE WHEN t.is_total = 1 THEN round(r.amount / nullif(t.cumulative_spend, 0), 4) END
        AS realized_roi
FROM totals t, funding f, realized r
ORDER BY t.is_total DESC, array_position(ARRAY['efficiency', 'revenue', 'new_category'], t.bucket);

-- 2. Funnel: one row per gate.
WITH scope AS (
    SELECT p.id
    FROM portfolio_project p
    WHERE p.status <> 'draft' AND p.submitted_on <= :'as_of'
),
decisions AS (
    SELECT gd.project_id, g.number AS gate, gd.decision, gd.decided_on, gd.sequence
    FROM gates_gatedecision gd
    JOIN gates_gate g ON g.id = gd.gate_id
    JOIN scope s ON s.id = gd.project_id
    WHERE gd.decided_on <= :'as_of'
),
last_decision AS (
    SELECT DISTINCT ON (d.project_id) d.project_id, d.decision, d.gate
    FROM decisions d
    ORDER BY d.project_id, d.decided_on DESC, d.sequence DESC
),
current_gate AS (
    SELECT s.id AS project_id,
        CASE
            WHEN l.project_id IS NULL THEN 1
            WHEN l.decision = 'go' AND l.gate < 4 THEN l.gate + 1
            WHEN l.decision IN ('hold', 'recycle') THEN l.gate
        END AS gate
    FROM scope s
    LEFT JOIN last_decision l ON l.project_id = s.id
),
reached AS (
    SELECT r.gate, count(DISTINCT r.project_id) AS reached
    FROM (
        SELECT project_id, gate FROM decisions
        UNION ALL
        SELECT project_id, gate FROM current_gate WHERE gate IS NOT NULL
    ) r
    GROUP BY r.gate
),
counts AS (
    SELECT d.gate,
        count(*) FILTER (WHERE d.decision = 'go') AS go,
        count(*) FILTER (WHERE d.decision = 'kill') AS kill,
        count(*) FILTER (WHERE d.decision = 'hold') AS hold,
        count(*) FILTER (WHERE d.decision = 'recycle') AS recycle,
        count(DISTINCT d.project_id) FILTER (WHERE d.decision = 'go') AS passed
    FROM decisions d
    GROUP BY d.gate
),
spend_rows AS (
\if :raw
    SELECT se.project_id, se.amount
    FROM portfolio_spendentry se
    WHERE se.spent_on <= :'as_of'
\else
    SELECT sm.project_id, sm.amount
    FROM portfolio_spendmonth sm
    WHERE sm.month < date_trunc('month', :'as_of'::date)::date
    UNION ALL
    SELECT se.project_id, se.amount
    FROM portfolio_spendentry se
    WHERE se.spent_on >= date_trunc('month', :'as_of'::date)::date AND se.spent_on <= :'as_of'
\endif
),
kills AS (
    SELECT k.gate, count(*) AS killed_here, coalesce(sum(sp.amount), 0) AS sunk
    FROM (SELECT DISTINCT project_id, gate FROM decisions WHERE decision = 'kill') k
    LEFT JOIN (
        SELECT project_id, sum(amount) AS amount FROM spend_rows GROUP BY project_id
    ) sp ON sp.project_id = k.project_id
    GROUP BY k.gate
)
SELECT g.gate,
    coalesce(r.reached, 0) AS reached,
    coalesce(c.go, 0) AS go,
    coalesce(c.kill, 0) AS kill,
    coalesce(c.hold, 0) AS hold,
    coalesce(c.recycle, 0) AS recycle,
    coalesce(k.killed_here, 0) AS killed_here,
    round(coalesce(c.passed, 0)::numeric
        / nullif(coalesce(c.passed, 0) + coalesce(k.killed_here, 0), 0), 4) AS pass_rate,
    round(coalesce(k.sunk, 0), 2) AS sunk_spend_killed_here
FROM generate_series(1, 4) AS g(gate)
LEFT JOIN reached r ON r.gate = g.gate
LEFT JOIN counts c ON c.gate = g.gate
LEFT JOIN kills k ON k.gate = g.gate
ORDER BY g.gate;

-- 3. Series: success rate against cumulative spend, one point per month.
WITH scope AS (
    SELECT p.id, p.submitted_on
    FROM portfolio_project p
    WHERE p.status <> 'draft' AND p.submitted_on <= :'as_of'
),
decisions AS (
    SELECT gd.project_id, g.number AS gate, gd.decision, gd.decided_on
    FROM gates_gatedecision gd
    JOIN gates_gate g ON g.id = gd.gate_id
    JOIN scope s ON s.id = gd.project_id
    WHERE gd.decided_on <= :'as_of'
),
spend_rows AS (
\if :raw
    SELECT se.project_id, date_trunc('month', se.spent_on)::date AS month, se.amount
    FROM portfolio_spendentry se
    WHERE se.spent_on <= :'as_of'
\else
    SELECT sm.project_id, sm.month, sm.amount
    FROM portfolio_spendmonth sm
    WHERE sm.month < date_trunc('month', :'as_of'::date)::date
    UNION ALL
    SELECT se.project_id, date_trunc('month', :'as_of'::date)::date, se.amount
    FROM portfolio_spendentry se
    WHERE se.spent_on >= date_trunc('month', :'as_of'::date)::date AND se.spent_on <= :'as_of'
\endif
),
spend_by_month AS (
    SELECT sr.month, sum(sr.amount) AS amount
    FROM spend_rows sr
    JOIN scope s ON s.id = sr.project_id
    GROUP BY sr.month
),
closes AS (
    SELECT date_trunc('month', d.decided_on)::date AS month,
        count(*) FILTER (WHERE d.gate = 4 AND d.decision = 'go') AS greenlit,
        count(*) FILTER (WHERE d.decision = 'kill') AS killed
    FROM decisions d
    GROUP BY 1
),
first_month AS (
    SELECT date_trunc('month', least(
        (SELECT min(submitted_on) FROM scope),
        (SELECT min(month) FROM spend_by_month),
        (SELECT min(decided_on) FROM decisions)
    ))::date AS month
),
months AS (
    SELECT generate_series(f.month, date_trunc('month', :'as_of'::date)::date, interval '1 month')::date
        AS month
    FROM first_month f
    WHERE f.month IS NOT NULL
),
points AS (
    SELECT m.month,
        sum(coalesce(sb.amount, 0)) OVER w AS cumulative_spend,
        sum(coalesce(c.greenlit, 0)) OVER w AS greenlit,
        sum(coalesce(c.killed, 0)) OVER w AS killed
    FROM months m
    LEFT JOIN spend_by_month sb ON sb.month = m.month
    LEFT JOIN closes c ON c.month = m.month
    WINDOW w AS (ORDER BY m.month)
)
SELECT to_char(p.month, 'YYYY-MM') AS month,
    round(p.cumulative_spend, 2) AS cumulative_spend,
    p.greenlit, p.killed,
    round(p.greenlit::numeric / nullif(p.greenlit + p.killed, 0), 4) AS success_rate
FROM points p
ORDER BY p.month;

-- 4. Outcome against projection.
WITH greenlit AS (
    SELECT DISTINCT gd.project_id
    FROM gates_gatedecision gd
    JOIN gates_gate g ON g.id = gd.gate_id
    JOIN portfolio_project p ON p.id = gd.project_id
    WHERE g.number = 4 AND gd.decision = 'go' AND gd.decided_on <= :'as_of'
        AND p.status <> 'draft' AND p.submitted_on <= :'as_of'
),
annual AS (
    SELECT p.projected_low, p.projected_high, 12 * avg(o.realized_value) AS value
    FROM portfolio_outcome o
    JOIN greenlit gl ON gl.project_id = o.project_id
    JOIN portfolio_project p ON p.id = o.project_id
    WHERE o.month <= :'as_of'
    GROUP BY p.id
)
SELECT count(*) FILTER (WHERE value < projected_low) AS under,
    count(*) FILTER (WHERE value >= projected_low AND value <= projected_high) AS within,
    count(*) FILTER (WHERE value > projected_high) AS over
FROM annual;

-- 5. Forecast calibration, over all and by product manager.
WITH scope AS (
    SELECT p.id, p.product_manager_id, p.probability_of_success
    FROM portfolio_project p
    WHERE p.status <> 'draft' AND p.submitted_on <= :'as_of'
),
last_decision AS (
    SELECT DISTINCT ON (gd.project_id) gd.project_id, gd.decision, g.number AS gate
    FROM gates_gatedecision gd
    JOIN gates_gate g ON g.id = gd.gate_id
    WHERE gd.decided_on <= :'as_of'
    ORDER BY gd.project_id, gd.decided_on DESC, gd.sequence DESC
),
closed AS (
    SELECT s.id, s.product_manager_id, s.probability_of_success,
        CASE WHEN l.decision = 'go' THEN 1 ELSE 0 END AS outcome
    FROM scope s
    JOIN last_decision l ON l.project_id = s.id
    WHERE (l.decision = 'go' AND l.gate = 4) OR l.decision = 'kill'
),
forecasts AS (
    SELECT c.product_manager_id, c.probability_of_success AS p, c.outcome AS o
    FROM closed c
    UNION ALL
    SELECT c.product_manager_id, gd.probability_of_success, c.outcome
    FROM gates_gatedecision gd
    JOIN closed c ON c.id = gd.project_id
    WHERE gd.decided_on <= :'as_of' AND gd.probability_of_success IS NOT NULL
),
managers AS (
    SELECT DISTINCT s.product_manager_id FROM scope s
)
SELECT u.email AS product_manager,
    count(f.p) AS forecasts,
    round(avg((f.p - f.o) ^ 2), 4) AS brier
FROM managers m
JOIN portfolio_user u ON u.id = m.product_manager_id
LEFT JOIN forecasts f ON f.product_manager_id = m.product_manager_id
GROUP BY GROUPING SETS ((), (u.email))
ORDER BY GROUPING(u.email) DESC, u.email;
