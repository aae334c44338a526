-- text equals
requests.model = %(p0)s
-- params: {"p0": "gpt-4o"}

-- text equals (inline)
requests.model = 'gpt-4o'

-- text not-equals
requests.model <> %(p0)s
-- params: {"p0": "gpt-4o"}

-- text not-equals (inline)
requests.model <> 'gpt-4o'

-- text equals null
requests.user_id IS NULL
-- params: {}

-- text equals null (inline)
requests.user_id IS NULL

-- text not-equals null
NOT requests.user_id IS NULL
-- params: {}

-- text not-equals null (inline)
NOT requests.user_id IS NULL

-- like
requests.model LIKE %(p0)s ESCAPE '\\'
-- params: {"p0": "gpt-4%\\_x"}

-- like (inline)
requests.model LIKE 'gpt-4%\\_x' ESCAPE '\\'

-- ilike
TRANSLATE(requests.model, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE %(p0)s
-- params: {"p0": "gpt%"}

-- ilike (inline)
TRANSLATE(requests.model, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE 'gpt%'

-- contains
TRANSLATE(requests.request_body, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE %(p0)s ESCAPE '\\'
-- params: {"p0": "%50\\% off\\_\\\\%"}

-- contains (inline)
TRANSLATE(requests.request_body, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE '%50\\% off\\_\\\\%' ESCAPE '\\'

-- not-contains
NOT TRANSLATE(requests.request_body, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE %(p0)s
-- params: {"p0": "%error%"}

-- not-contains (inline)
NOT TRANSLATE(requests.request_body, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE '%error%'

-- number gt
requests.latency > %(p0)s
-- params: {"p0": 100}

-- number gt (inline)
requests.latency > 100

-- number lte float
requests.status <= %(p0)s
-- params: {"p0": 499.5}

-- number lte float (inline)
requests.status <= 499.5

-- cost gte
requests.cost >= %(p0)s
-- params: {"p0": 2.5}

-- cost gte (inline)
requests.cost >= 2.5

-- timestamp gt
requests.request_created_at >= CAST(%(p0)s AS TIMESTAMPNTZ)
-- params: {"p0": "2026-01-31 12:00:00.124"}

-- timestamp gt (inline)
requests.request_created_at >= CAST('2026-01-31 12:00:00.124' AS TIMESTAMPNTZ)

-- timestamp equals
requests.request_created_at >= CAST(%(p0)s AS TIMESTAMPNTZ) AND requests.request_created_at < CAST(%(p1)s AS TIMESTAMPNTZ)
-- params: {"p0": "2026-01-31 12:00:00.000", "p1": "2026-01-31 12:00:00.001"}

-- timestamp equals (inline)
requests.request_created_at >= CAST('2026-01-31 12:00:00.000' AS TIMESTAMPNTZ) AND requests.request_created_at < CAST('2026-01-31 12:00:00.001' AS TIMESTAMPNTZ)

-- boolean true
requests.cached
-- params: {}

-- boolean true (inline)
requests.cached

-- boolean false
NOT requests.threat
-- params: {}

-- boolean false (inline)
NOT requests.threat

-- properties equals
COALESCE(CAST(GET(requests.properties, %(p0)s) AS VARCHAR), '') = %(p1)s
-- params: {"p0": "env", "p1": "prod"}

-- properties equals (inline)
COALESCE(CAST(GET(requests.properties, 'env') AS VARCHAR), '') = 'prod'

-- properties ilike
TRANSLATE(COALESCE(CAST(GET(requests.properties, %(p0)s) AS VARCHAR), ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE %(p1)s
-- params: {"p0": "env", "p1": "pro%"}

-- properties ilike (inline)
TRANSLATE(COALESCE(CAST(GET(requests.properties, 'env') AS VARCHAR), ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE 'pro%'

-- scores gte-ish text
CAST(GET(requests.scores, %(p0)s) AS VARCHAR) = %(p1)s
-- params: {"p0": "accuracy", "p1": "5"}

-- scores gte-ish text (inline)
CAST(GET(requests.scores, 'accuracy') AS VARCHAR) = '5'

-- property_key
NOT GET(requests.properties, %(p0)s) IS NULL
-- params: {"p0": "env"}

-- property_key (inline)
NOT GET(requests.properties, 'env') IS NULL

-- and/or
(requests.model LIKE %(p0)s OR requests.model LIKE %(p1)s) AND requests.status >= %(p2)s AND requests.status < %(p3)s
-- params: {"p0": "gpt%", "p1": "claude%", "p2": 200, "p3": 300}

-- and/or (inline)
(requests.model LIKE 'gpt%' OR requests.model LIKE 'claude%') AND requests.status >= 200 AND requests.status < 300

-- users_view
users_view.user_cost > %(p0)s AND TRANSLATE(requests.model, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE %(p1)s
-- params: {"p0": 5, "p1": "gpt%"}

-- users_view (inline)
users_view.user_cost > 5 AND TRANSLATE(requests.model, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE 'gpt%'

-- all
TRUE
-- params: {}

-- all (inline)
TRUE

-- to_sql users_view
SELECT requests.* FROM requests LEFT JOIN (SELECT requests.user_id AS user_id, requests.user_id AS user_user_id, COUNT(*) AS user_total_requests, CAST(SUM(CAST(FLOOR(requests.cost * 1e9 + 0.5) AS BIGINT)) AS DOUBLE) / 1e9 AS user_cost, SUM(requests.prompt_tokens) AS user_total_prompt_tokens, SUM(requests.completion_tokens) AS user_total_completion_tokens, COUNT(DISTINCT CAST(requests.request_created_at AS DATE)) AS user_active_for, MIN(requests.request_created_at) AS user_first_active, MAX(requests.request_created_at) AS user_last_active, CAST(COUNT(*) AS DOUBLE) / CAST(NULLIF(COUNT(DISTINCT CAST(requests.request_created_at AS DATE)), 0) AS DOUBLE) AS user_average_requests_per_day_active, CAST(SUM(requests.prompt_tokens) + SUM(requests.completion_tokens) AS DOUBLE) / CAST(COUNT(*) AS DOUBLE) AS user_average_tokens_per_request FROM requests GROUP BY requests.user_id) AS users_view ON requests.user_id = users_view.user_id WHERE users_view.user_cost > %(p0)s AND TRANSLATE(requests.model, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE %(p1)s

-- to_sql helicone org1 (inline)
SELECT request_response_rmt.* FROM request_response_rmt WHERE request_response_rmt.organization_id = 'org1' AND (request_response_rmt.model = 'x' OR request_response_rmt.cost > 2150000000)
