-- text equals
requests.model = {p0:String}
-- params: {"p0": "gpt-4o"}

-- text equals (inline)
requests.model = 'gpt-4o'

-- text not-equals
requests.model <> {p0:String}
-- params: {"p0": "gpt-4o"}

-- text not-equals (inline)
requests.model <> 'gpt-4o'

-- text equals null
requests.user_id IS NULL
-- params: {}

-- text equals null (inline)
requests.user_id IS NULL

-- text not-equals null
NOT (requests.user_id IS NULL)
-- params: {}

-- text not-equals null (inline)
NOT (requests.user_id IS NULL)

-- like
requests.model LIKE {p0:String}
-- params: {"p0": "gpt-4%\\_x"}

-- like (inline)
requests.model LIKE 'gpt-4%\\_x'

-- ilike
LOWER(requests.model) LIKE {p0:String}
-- params: {"p0": "gpt%"}

-- ilike (inline)
LOWER(requests.model) LIKE 'gpt%'

-- contains
LOWER(requests.request_body) LIKE {p0:String}
-- params: {"p0": "%50\\% off\\_\\\\%"}

-- contains (inline)
LOWER(requests.request_body) LIKE '%50\\% off\\_\\\\%'

-- not-contains
NOT LOWER(requests.request_body) LIKE {p0:String}
-- params: {"p0": "%error%"}

-- not-contains (inline)
NOT LOWER(requests.request_body) LIKE '%error%'

-- number gt
requests.latency > {p0:Int64}
-- params: {"p0": 100}

-- number gt (inline)
requests.latency > 100

-- number lte float
requests.status <= {p0:Float64}
-- params: {"p0": 499.5}

-- number lte float (inline)
requests.status <= 499.5

-- cost gte
requests.cost >= {p0:Float64}
-- params: {"p0": 2.5}

-- cost gte (inline)
requests.cost >= 2.5

-- timestamp gt
requests.request_created_at >= toDateTime64({p0:String}, 3, 'UTC')
-- params: {"p0": "2026-01-31 12:00:00.124"}

-- timestamp gt (inline)
requests.request_created_at >= toDateTime64('2026-01-31 12:00:00.124', 3, 'UTC')

-- timestamp equals
requests.request_created_at >= toDateTime64({p0:String}, 3, 'UTC') AND requests.request_created_at < toDateTime64({p1:String}, 3, 'UTC')
-- params: {"p0": "2026-01-31 12:00:00.000", "p1": "2026-01-31 12:00:00.001"}

-- timestamp equals (inline)
requests.request_created_at >= toDateTime64('2026-01-31 12:00:00.000', 3, 'UTC') AND requests.request_created_at < toDateTime64('2026-01-31 12:00:00.001', 3, 'UTC')

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
requests.properties[{p0:String}] = {p1:String}
-- params: {"p0": "env", "p1": "prod"}

-- properties equals (inline)
requests.properties['env'] = 'prod'

-- properties ilike
LOWER(requests.properties[{p0:String}]) LIKE {p1:String}
-- params: {"p0": "env", "p1": "pro%"}

-- properties ilike (inline)
LOWER(requests.properties['env']) LIKE 'pro%'

-- scores gte-ish text
CASE WHEN has(requests.scores, {p0:String}) THEN toString(requests.scores[{p0:String}]) ELSE NULL END = {p1:String}
-- params: {"p0": "accuracy", "p1": "5"}

-- scores gte-ish text (inline)
CASE WHEN has(requests.scores, 'accuracy') THEN toString(requests.scores['accuracy']) ELSE NULL END = '5'

-- property_key
has(requests.properties, {p0:String})
-- params: {"p0": "env"}

-- property_key (inline)
has(requests.properties, 'env')

-- and/or
(requests.model LIKE {p0:String} OR requests.model LIKE {p1:String}) AND requests.status >= {p2:Int64} AND requests.status < {p3:Int64}
-- params: {"p0": "gpt%", "p1": "claude%", "p2": 200, "p3": 300}

-- and/or (inline)
(requests.model LIKE 'gpt%' OR requests.model LIKE 'claude%') AND requests.status >= 200 AND requests.status < 300

-- users_view
users_view.user_cost > {p0:Int64} AND LOWER(requests.model) LIKE {p1:String}
-- params: {"p0": 5, "p1": "gpt%"}

-- users_view (inline)
users_view.user_cost > 5 AND LOWER(requests.model) LIKE 'gpt%'

-- all
TRUE
-- params: {}

-- all (inline)
TRUE

-- to_sql users_view
SELECT requests.* FROM requests LEFT JOIN (SELECT requests.user_id AS user_id, requests.user_id AS user_user_id, COUNT(*) AS user_total_requests, CASE WHEN isNull(SUM(toInt128(FLOOR(requests.cost * 1e9 + 0.5)))) THEN NULL ELSE CASE WHEN abs(ifNull(SUM(toInt128(FLOOR(requests.cost * 1e9 + 0.5))), 0)) < toInt128('9223372036854775807') THEN toFloat64(toInt64(ifNull(SUM(toInt128(FLOOR(requests.cost * 1e9 + 0.5))), 0))) ELSE toFloat64(ifNull(SUM(toInt128(FLOOR(requests.cost * 1e9 + 0.5))), 0)) END / 1e9 END AS user_cost, SUM(requests.prompt_tokens) AS user_total_prompt_tokens, SUM(requests.completion_tokens) AS user_total_completion_tokens, COUNT(DISTINCT toDate(requests.request_created_at)) AS user_active_for, MIN(requests.request_created_at) AS user_first_active, MAX(requests.request_created_at) AS user_last_active, CAST(COUNT(*) AS Nullable(Float64)) / CAST(nullIf(COUNT(DISTINCT toDate(requests.request_created_at)), 0) AS Nullable(Float64)) AS user_average_requests_per_day_active, CAST(SUM(requests.prompt_tokens) + SUM(requests.completion_tokens) AS Nullable(Float64)) / CAST(COUNT(*) AS Nullable(Float64)) AS user_average_tokens_per_request FROM requests GROUP BY requests.user_id) AS users_view ON requests.user_id = users_view.user_id WHERE users_view.user_cost > {p0:Int64} AND LOWER(requests.model) LIKE {p1:String} SETTINGS join_use_nulls = 1

-- to_sql helicone org1 (inline)
SELECT request_response_rmt.* FROM request_response_rmt WHERE request_response_rmt.organization_id = 'org1' AND (request_response_rmt.model = 'x' OR request_response_rmt.cost > 2150000000)
