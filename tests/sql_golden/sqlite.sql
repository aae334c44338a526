-- text equals
requests.model = :p0
-- params: {"p0": "gpt-4o"}

-- text equals (inline)
requests.model = 'gpt-4o'

-- text not-equals
requests.model <> :p0
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
requests.model GLOB :p0
-- params: {"p0": "gpt-4*_x"}

-- like (inline)
requests.model GLOB 'gpt-4*_x'

-- ilike
LOWER(requests.model) LIKE :p0
-- params: {"p0": "gpt%"}

-- ilike (inline)
LOWER(requests.model) LIKE 'gpt%'

-- contains
LOWER(requests.request_body) LIKE :p0 ESCAPE '\'
-- params: {"p0": "%50\\% off\\_\\\\%"}

-- contains (inline)
LOWER(requests.request_body) LIKE '%50\% off\_\\%' ESCAPE '\'

-- not-contains
NOT LOWER(requests.request_body) LIKE :p0
-- params: {"p0": "%error%"}

-- not-contains (inline)
NOT LOWER(requests.request_body) LIKE '%error%'

-- number gt
requests.latency > :p0
-- params: {"p0": 100}

-- number gt (inline)
requests.latency > 100

-- number lte float
requests.status <= :p0
-- params: {"p0": 499.5}

-- number lte float (inline)
requests.status <= 499.5

-- cost gte
requests.cost >= :p0
-- params: {"p0": 2.5}

-- cost gte (inline)
requests.cost >= 2.5

-- timestamp gt
requests.request_created_at >= :p0
-- params: {"p0": "2026-01-31 12:00:00.124"}

-- timestamp gt (inline)
requests.request_created_at >= '2026-01-31 12:00:00.124'

-- timestamp equals
requests.request_created_at >= :p0 AND requests.request_created_at < :p1
-- params: {"p0": "2026-01-31 12:00:00.000", "p1": "2026-01-31 12:00:00.001"}

-- timestamp equals (inline)
requests.request_created_at >= '2026-01-31 12:00:00.000' AND requests.request_created_at < '2026-01-31 12:00:00.001'

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
COALESCE((SELECT value FROM JSON_EACH(requests.properties) WHERE key = :p0), '') = :p1
-- params: {"p0": "env", "p1": "prod"}

-- properties equals (inline)
COALESCE((SELECT value FROM JSON_EACH(requests.properties) WHERE key = 'env'), '') = 'prod'

-- properties ilike
LOWER(COALESCE((SELECT value FROM JSON_EACH(requests.properties) WHERE key = :p0), '')) LIKE :p1
-- params: {"p0": "env", "p1": "pro%"}

-- properties ilike (inline)
LOWER(COALESCE((SELECT value FROM JSON_EACH(requests.properties) WHERE key = 'env'), '')) LIKE 'pro%'

-- scores gte-ish text
CAST((SELECT value FROM JSON_EACH(requests.scores) WHERE key = :p0) AS TEXT) = :p1
-- params: {"p0": "accuracy", "p1": "5"}

-- scores gte-ish text (inline)
CAST((SELECT value FROM JSON_EACH(requests.scores) WHERE key = 'accuracy') AS TEXT) = '5'

-- property_key
EXISTS(SELECT 1 FROM JSON_EACH(requests.properties) WHERE key = :p0)
-- params: {"p0": "env"}

-- property_key (inline)
EXISTS(SELECT 1 FROM JSON_EACH(requests.properties) WHERE key = 'env')

-- and/or
(requests.model GLOB :p0 OR requests.model GLOB :p1) AND requests.status >= :p2 AND requests.status < :p3
-- params: {"p0": "gpt*", "p1": "claude*", "p2": 200, "p3": 300}

-- and/or (inline)
(requests.model GLOB 'gpt*' OR requests.model GLOB 'claude*') AND requests.status >= 200 AND requests.status < 300

-- users_view
users_view.user_cost > :p0 AND LOWER(requests.model) LIKE :p1
-- params: {"p0": 5, "p1": "gpt%"}

-- users_view (inline)
users_view.user_cost > 5 AND LOWER(requests.model) LIKE 'gpt%'

-- all
TRUE
-- params: {}

-- all (inline)
TRUE

-- to_sql users_view
SELECT requests.* FROM requests LEFT JOIN (SELECT requests.user_id AS user_id, requests.user_id AS user_user_id, COUNT(*) AS user_total_requests, CAST(SUM(CAST(FLOOR(requests.cost * 1e9 + 0.5) AS INTEGER)) AS REAL) / 1e9 AS user_cost, SUM(requests.prompt_tokens) AS user_total_prompt_tokens, SUM(requests.completion_tokens) AS user_total_completion_tokens, COUNT(DISTINCT SUBSTRING(requests.request_created_at, 1, 10)) AS user_active_for, MIN(requests.request_created_at) AS user_first_active, MAX(requests.request_created_at) AS user_last_active, CAST(COUNT(*) AS REAL) / CAST(NULLIF(COUNT(DISTINCT SUBSTRING(requests.request_created_at, 1, 10)), 0) AS REAL) AS user_average_requests_per_day_active, CAST(SUM(requests.prompt_tokens) + SUM(requests.completion_tokens) AS REAL) / CAST(COUNT(*) AS REAL) AS user_average_tokens_per_request FROM requests GROUP BY requests.user_id) AS users_view ON requests.user_id = users_view.user_id WHERE users_view.user_cost > :p0 AND LOWER(requests.model) LIKE :p1

-- to_sql helicone org1 (inline)
SELECT request_response_rmt.* FROM request_response_rmt WHERE request_response_rmt.organization_id = 'org1' AND (request_response_rmt.model = 'x' OR request_response_rmt.cost > 2150000000)
