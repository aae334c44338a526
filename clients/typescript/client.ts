// A client of `filterlang serve` written the way upstream's web app writes its API calls:
// types generated from the published OpenAPI document by openapi-typescript (build/api.d.ts,
// made by the test), requests made by openapi-fetch. tsc type-checks it against those types,
// then node runs it; it prints one JSON object for tests/test_server_client.py to compare.
import createClient from "openapi-fetch";
import type { paths } from "./build/api.js";

type OverviewBody = paths["/v1/user/metrics-overview/query"]["post"]["requestBody"]["content"]["application/json"];

const baseUrl = process.env.FILTERLANG_URL ?? "http://localhost:8585";
const key = process.env.FILTERLANG_KEY ?? "";

const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${key}` } });
const anonymous = createClient<paths>({ baseUrl });

const body: OverviewBody = {
  filter: {
    left: { request_response_rmt: { model: { like: "gpt%" } } },
    operator: "or",
    right: { users_view: { user_cost: { gt: 0.5 } } },
  },
  pSize: "p95",
  useInterquartile: false,
};

// The generated types are the contract's: a pSize outside its enum does not compile.
// @ts-expect-error "p42" is not a PSize
const wrong: OverviewBody = { filter: "all", pSize: "p42", useInterquartile: false };
void wrong;

const overview = await client.POST("/v1/user/metrics-overview/query", { body });
const parsed = await client.POST("/v1/filters/parse", { body: { filter: 'model = "gpt-4o" and status >= 500' } });
const broken = await client.POST("/v1/filters/parse", { body: { filter: 'model = "a" and' } });
const denied = await anonymous.POST("/v1/user/metrics-overview/query", { body });

console.log(
  JSON.stringify({
    overview: { status: overview.response.status, data: overview.data },
    parse: { status: parsed.response.status, data: parsed.data?.data },
    broken: { status: broken.response.status, column: broken.error?.details?.column, error: broken.error?.error },
    denied: { status: denied.response.status, challenge: denied.response.headers.get("www-authenticate") },
  }),
);
