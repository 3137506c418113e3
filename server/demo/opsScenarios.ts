import type { DemoScenario } from './demoScenarios.ts';

/** Scripted operations and research sessions: incidents, performance, triage, evaluations. */
export const OPS_SCENARIOS: DemoScenario[] = [
  {
    title: 'Summarize Q3 incidents',
    steps: [
      {
        thought: 'Start from the postmortem folder; each incident has one markdown file.',
        say: "I'll collect the Q3 postmortems first.",
        tool: 'list_files',
        args: { path: 'postmortems/2024-Q3', glob: '*.md' },
        output:
          'INC-311-checkout-5xx.md\nINC-318-search-latency.md\nINC-322-cert-expiry.md\nINC-327-queue-backlog.md\nINC-330-dns-misconfig.md',
      },
      {
        thought: 'Severity and duration are in each front matter; grep is faster than reading every file.',
        say: 'Five incidents. Pulling severity, duration and root cause from each.',
        tool: 'bash',
        args: { command: "grep -H -E '^(severity|duration|root_cause):' postmortems/2024-Q3/*.md" },
        output: [
          'INC-311-checkout-5xx.md:severity: SEV-1',
          'INC-311-checkout-5xx.md:duration: 47m',
          'INC-311-checkout-5xx.md:root_cause: connection pool exhausted after deploy',
          'INC-322-cert-expiry.md:severity: SEV-2',
          'INC-322-cert-expiry.md:duration: 1h12m',
          'INC-327-queue-backlog.md:severity: SEV-3',
          'INC-330-dns-misconfig.md:severity: SEV-3',
        ].join('\n'),
      },
      {
        thought: 'Recurring theme: two of five were config changes without a canary.',
        say: 'Drafting the summary with a section on recurring causes.',
        tool: 'write_file',
        args: { path: 'reports/q3-incidents.md', bytes: 3184 },
        output: 'wrote reports/q3-incidents.md (3184 bytes)',
      },
    ],
    question: {
      afterStep: 1,
      ask: 'Should the summary cover the two SEV-3s as well, or only SEV-1 and SEV-2?',
      onAnswer: "I'll shape the report accordingly.",
    },
    done: 'The Q3 incident summary is in reports/q3-incidents.md.',
    summary: '5 incidents (1 SEV-1, 1 SEV-2, 3 SEV-3); main theme: config changes shipped without a canary.',
    failedSummary: 'Could not finish the Q3 summary.',
  },
  {
    title: 'Investigate slow /search endpoint',
    steps: [
      {
        thought: 'Measure before guessing. p95 first.',
        say: "I'll measure /search latency against staging.",
        tool: 'bash',
        args: { command: 'npx autocannon -d 10 https://staging.example.com/search?q=invoice' },
        output: 'Latency  p50 310 ms   p95 2140 ms   p99 3380 ms\nReq/Sec  avg 41.2\n412 requests in 10.04s',
      },
      {
        thought: 'The long tail suggests a query plan problem for some terms.',
        say: 'p95 is over 2 s. Checking the query plan for a slow term.',
        tool: 'sql_query',
        args: { sql: "EXPLAIN ANALYZE SELECT * FROM documents WHERE body ILIKE '%invoice%' LIMIT 20" },
        output:
          "Seq Scan on documents  (cost=0.00..48211.90 rows=20) (actual time=0.04..2011.7 rows=20)\n  Filter: (body ~~* '%invoice%'::text)\n  Rows Removed by Filter: 812344\nExecution Time: 2011.93 ms",
      },
      {
        thought: 'A trigram index turns this into an index scan.',
        say: 'Sequential scan over 800k rows. A pg_trgm index should fix it.',
        tool: 'sql_query',
        args: {
          sql: 'CREATE INDEX CONCURRENTLY documents_body_trgm ON documents USING gin (body gin_trgm_ops)',
        },
        output: 'CREATE INDEX (took 38.2 s)',
        failure: {
          output: 'ERROR:  permission denied to create extension "pg_trgm"',
          error: 'The staging role may not create extensions; pg_trgm must be enabled by a DBA.',
        },
      },
    ],
    done: 'With the trigram index, p95 dropped from 2140 ms to 96 ms.',
    summary: 'Root cause: ILIKE seq scan over 812k rows. Added a GIN trigram index; p95 2140 ms → 96 ms.',
    failedSummary: 'Root cause found (seq scan), but creating the index needs DBA rights on staging.',
  },
  {
    title: 'Research vector database options',
    steps: [
      {
        thought: 'Collect current comparisons, then check pricing pages myself.',
        say: "I'll look for recent comparisons of pgvector, Qdrant and Weaviate.",
        tool: 'web_search',
        args: { query: 'pgvector vs qdrant vs weaviate benchmark 2024', maxResults: 5 },
        output: [
          '1. "Vector DB benchmarks, 10M embeddings" — blog.example.dev',
          '2. pgvector 0.7 release notes: HNSW builds 30x faster — github.com',
          '3. "Why we moved off a managed vector DB" — eng.example.com',
        ].join('\n'),
      },
      {
        thought: 'Our dataset is ~4M embeddings; pgvector with HNSW may be enough and avoids a new system.',
        say: 'At our size (about 4M vectors) pgvector looks competitive. Reading the benchmark details.',
        tool: 'fetch_url',
        args: { url: 'https://blog.example.dev/vector-db-benchmarks' },
        output:
          'pgvector (HNSW, m=16): 1,850 QPS at recall 0.95\nQdrant: 2,400 QPS at recall 0.95\nWeaviate: 1,600 QPS at recall 0.95',
      },
    ],
    question: {
      afterStep: 0,
      ask: 'Is running another stateful service acceptable, or should I favour staying on Postgres?',
      onAnswer: "That settles the main trade-off; I'll weigh the options with that in mind.",
    },
    done: 'Recommendation: start with pgvector (HNSW); revisit Qdrant past ~20M vectors.',
    summary: 'pgvector is within 25% of Qdrant at our scale and needs no new service; recommended.',
    failedSummary: 'Research incomplete.',
  },
  {
    title: 'Triage new GitHub issues',
    steps: [
      {
        thought: 'Only unlabeled issues need triage.',
        say: "I'll fetch open issues without labels.",
        tool: 'github_api',
        args: { method: 'GET', path: '/repos/acme/shop/issues', query: { state: 'open', labels: 'none' } },
        output:
          '#2201 Cart total wrong with two coupons\n#2204 Dark mode: unreadable table headers\n#2207 Export times out for 50k orders',
      },
      {
        thought: '#2207 overlaps the bulk export work; the other two are a bug and a UI issue.',
        say: 'Three new issues. Labelling them and linking #2207 to the export epic.',
        tool: 'github_api',
        args: {
          method: 'POST',
          path: '/repos/acme/shop/issues/2207/labels',
          body: { labels: ['bug', 'export'] },
        },
        output: 'HTTP 200  labels: bug, export',
        failure: {
          output: 'HTTP 403  Resource not accessible by integration',
          error: 'The GitHub token lacks issues:write.',
        },
      },
    ],
    done: 'All three issues are labelled; #2207 is linked to the export epic.',
    summary: 'Triaged #2201 (bug, cart), #2204 (ui, dark-mode), #2207 (bug, export).',
    failedSummary: 'Could not label issues: the token lacks issues:write.',
  },
];
