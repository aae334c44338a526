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
requests.model LIKE %(p0)s ESCAPE '\'
-- params: {"p0": "gpt-4%\\_x"}

-- like (inline)
requests.model LIKE 'gpt-4%\_x' ESCAPE '\'

-- ilike
TRANSLATE(requests.model, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE %(p0)s
-- params: {"p0": "gpt%"}

-- ilike (inline)
TRANSLATE(requests.model, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE 'gpt%'

-- contains
TRANSLATE(requests.request_body, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE %(p0)s ESCAPE '\'
-- params: {"p0": "%50\\% off\\_\\\\%"}

-- contains (inline)
TRANSLATE(requests.request_body, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE '%50\% off\_\\%' ESCAPE '\'

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
requests.request_created_at >= CAST(%(p0)s AS TIMESTAMPTZ)
-- params: {"p0": "2026-01-31 12:00:00.124+00:00"}

-- timestamp gt (inline)
requests.request_created_at >= CAST('2026-01-31 12:00:00.124+00:00' AS TIMESTAMPTZ)

-- timestamp equals
requests.request_created_at >= CAST(%(p0)s AS TIMESTAMPTZ) AND requests.request_created_at < CAST(%(p1)s AS TIMESTAMPTZ)
-- params: {"p0": "2026-01-31 12:00:00.000+00:00", "p1": "2026-01-31 12:00:00.001+00:00"}

-- timestamp equals (inline)
requests.request_created_at >= CAST('2026-01-31 12:00:00.000+00:00' AS TIMESTAMPTZ) AND requests.request_created_at < CAST('2026-01-31 12:00:00.001+00:00' AS TIMESTAMPTZ)

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
COALESCE(JSONB_EXTRACT_PATH_TEXT(requests.properties, %(p0)s), '') = %(p1)s
-- params: {"p0": "env", "p1": "prod"}

-- properties equals (inline)
COALESCE(JSONB_EXTRACT_PATH_TEXT(requests.properties, 'env'), '') = 'prod'

-- properties ilike
TRANSLATE(COALESCE(JSONB_EXTRACT_PATH_TEXT(requests.properties, %(p0)s), ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE %(p1)s
-- params: {"p0": "env", "p1": "pro%"}

-- properties ilike (inline)
TRANSLATE(COALESCE(JSONB_EXTRACT_PATH_TEXT(requests.properties, 'env'), ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE 'pro%'

-- scores gte-ish text
JSONB_EXTRACT_PATH_TEXT(requests.scores, %(p0)s) = %(p1)s
-- params: {"p0": "accuracy", "p1": "5"}

-- scores gte-ish text (inline)
JSONB_EXTRACT_PATH_TEXT(requests.scores, 'accuracy') = '5'

-- property_key
JSONB_EXISTS(requests.properties, %(p0)s)
-- params: {"p0": "env"}

-- property_key (inline)
JSONB_EXISTS(requests.properties, 'env')

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
SELECT requests.* FROM requests LEFT JOIN (SELECT requests.user_id AS user_id, requests.user_id AS user_user_id, COUNT(*) AS user_total_requests, CAST(SUM(CAST(FLOOR(requests.cost * CAST(1e9 AS DOUBLE PRECISION) + CAST(0.5 AS DOUBLE PRECISION)) AS BIGINT)) AS DOUBLE PRECISION) / CAST(1e9 AS DOUBLE PRECISION) AS user_cost, SUM(requests.prompt_tokens) AS user_total_prompt_tokens, SUM(requests.completion_tokens) AS user_total_completion_tokens, COUNT(DISTINCT CAST(requests.request_created_at AT TIME ZONE 'UTC' AS DATE)) AS user_active_for, MIN(requests.request_created_at) AS user_first_active, MAX(requests.request_created_at) AS user_last_active, CAST(COUNT(*) AS DOUBLE PRECISION) / CAST(NULLIF(COUNT(DISTINCT CAST(requests.request_created_at AT TIME ZONE 'UTC' AS DATE)), 0) AS DOUBLE PRECISION) AS user_average_requests_per_day_active, CAST(SUM(requests.prompt_tokens) + SUM(requests.completion_tokens) AS DOUBLE PRECISION) / CAST(COUNT(*) AS DOUBLE PRECISION) AS user_average_tokens_per_request FROM requests GROUP BY requests.user_id) AS users_view ON requests.user_id = users_view.user_id WHERE users_view.user_cost > %(p0)s AND TRANSLATE(requests.model, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE %(p1)s

-- to_sql helicone org1 (inline)
SELECT request_response_rmt.* FROM request_response_rmt WHERE request_response_rmt.organization_id = 'org1' AND (request_response_rmt.model = 'x' OR request_response_rmt.cost > 2150000000)
