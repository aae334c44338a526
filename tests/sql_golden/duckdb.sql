-- text equals
requests.model = $p0
-- params: {"p0": "gpt-4o"}

-- text equals (inline)
requests.model = 'gpt-4o'

-- text not-equals
requests.model <> $p0
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
requests.model LIKE $p0 ESCAPE '\'
-- params: {"p0": "gpt-4%\\_x"}

-- like (inline)
requests.model LIKE 'gpt-4%\_x' ESCAPE '\'

-- ilike
TRANSLATE(requests.model, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE $p0
-- params: {"p0": "gpt%"}

-- ilike (inline)
TRANSLATE(requests.model, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE 'gpt%'

-- contains
TRANSLATE(requests.request_body, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE $p0 ESCAPE '\'
-- params: {"p0": "%50\\% off\\_\\\\%"}

-- contains (inline)
TRANSLATE(requests.request_body, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE '%50\% off\_\\%' ESCAPE '\'

-- not-contains
NOT TRANSLATE(requests.request_body, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE $p0
-- params: {"p0": "%error%"}

-- not-contains (inline)
NOT TRANSLATE(requests.request_body, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE '%error%'

-- number gt
requests.latency > $p0
-- params: {"p0": 100}

-- number gt (inline)
requests.latency > 100

-- number lte float
requests.status <= $p0
-- params: {"p0": 499.5}

-- number lte float (inline)
requests.status <= 499.5

-- cost gte
requests.cost >= $p0
-- params: {"p0": 2.5}

-- cost gte (inline)
requests.cost >= 2.5

-- timestamp gt
requests.request_created_at >= CAST($p0 AS TIMESTAMP)
-- params: {"p0": "2026-01-31 12:00:00.124"}

-- timestamp gt (inline)
requests.request_created_at >= CAST('2026-01-31 12:00:00.124' AS TIMESTAMP)

-- timestamp equals
requests.request_created_at >= CAST($p0 AS TIMESTAMP) AND requests.request_created_at < CAST($p1 AS TIMESTAMP)
-- params: {"p0": "2026-01-31 12:00:00.000", "p1": "2026-01-31 12:00:00.001"}

-- timestamp equals (inline)
requests.request_created_at >= CAST('2026-01-31 12:00:00.000' AS TIMESTAMP) AND requests.request_created_at < CAST('2026-01-31 12:00:00.001' AS TIMESTAMP)

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
COALESCE(requests.properties[$p0], '') = $p1
-- params: {"p0": "env", "p1": "prod"}

-- properties equals (inline)
COALESCE(requests.properties['env'], '') = 'prod'

-- properties ilike
TRANSLATE(COALESCE(requests.properties[$p0], ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE $p1
-- params: {"p0": "env", "p1": "pro%"}

-- properties ilike (inline)
TRANSLATE(COALESCE(requests.properties['env'], ''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE 'pro%'

-- scores gte-ish text
CAST(requests.scores[$p0] AS TEXT) = $p1
-- params: {"p0": "accuracy", "p1": "5"}

-- scores gte-ish text (inline)
CAST(requests.scores['accuracy'] AS TEXT) = '5'

-- property_key
MAP_CONTAINS(requests.properties, $p0)
-- params: {"p0": "env"}

-- property_key (inline)
MAP_CONTAINS(requests.properties, 'env')

-- and/or
(requests.model LIKE $p0 OR requests.model LIKE $p1) AND requests.status >= $p2 AND requests.status < $p3
-- params: {"p0": "gpt%", "p1": "claude%", "p2": 200, "p3": 300}

-- and/or (inline)
(requests.model LIKE 'gpt%' OR requests.model LIKE 'claude%') AND requests.status >= 200 AND requests.status < 300

-- users_view
users_view.user_cost > $p0 AND TRANSLATE(requests.model, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE $p1
-- params: {"p0": 5, "p1": "gpt%"}

-- users_view (inline)
users_view.user_cost > 5 AND TRANSLATE(requests.model, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE 'gpt%'

-- all
TRUE
-- params: {}

-- all (inline)
TRUE

-- to_sql users_view
SELECT requests.* FROM requests LEFT JOIN (SELECT requests.user_id AS user_id, requests.user_id AS user_user_id, COUNT(*) AS user_total_requests, CAST(SUM(CAST(FLOOR(requests.cost * CAST(1e9 AS DOUBLE) + CAST(0.5 AS DOUBLE)) AS INT128)) AS DOUBLE) / CAST(1e9 AS DOUBLE) AS user_cost, SUM(requests.prompt_tokens) AS user_total_prompt_tokens, SUM(requests.completion_tokens) AS user_total_completion_tokens, COUNT(DISTINCT CAST(requests.request_created_at AS DATE)) AS user_active_for, MIN(requests.request_created_at) AS user_first_active, MAX(requests.request_created_at) AS user_last_active, CAST(COUNT(*) AS DOUBLE) / CAST(NULLIF(COUNT(DISTINCT CAST(requests.request_created_at AS DATE)), 0) AS DOUBLE) AS user_average_requests_per_day_active, CAST(SUM(requests.prompt_tokens) + SUM(requests.completion_tokens) AS DOUBLE) / CAST(COUNT(*) AS DOUBLE) AS user_average_tokens_per_request FROM requests GROUP BY requests.user_id) AS users_view ON requests.user_id = users_view.user_id WHERE users_view.user_cost > $p0 AND TRANSLATE(requests.model, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE $p1

-- to_sql helicone org1 (inline)
SELECT request_response_rmt.* FROM request_response_rmt WHERE request_response_rmt.organization_id = 'org1' AND (request_response_rmt.model = 'x' OR request_response_rmt.cost > 2150000000)
