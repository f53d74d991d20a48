-- wrk script: POST /orders/new as many buyers at once.
--
-- Each wrk thread is one buyer at a time: its requests take the next token of its share of
-- BENCH_TOKENS_FILE (so that no shopper piles up unpaid orders past the shop's cap), starting
-- at BENCH_TOKEN_OFFSET. BENCH_MODE "hot": everybody buys the first product of BENCH_PRODUCTS;
-- "separate": thread n buys product n. Every request carries a fresh Idempotency-Key.

local counter = 0

function setup(thread)
  thread:set("thread_index", counter)
  counter = counter + 1
end

function init(args)
  tokens = {}
  for line in io.lines(os.getenv("BENCH_TOKENS_FILE")) do
    if #line > 0 then tokens[#tokens + 1] = line end
  end
  products = {}
  for id in string.gmatch(os.getenv("BENCH_PRODUCTS"), "%d+") do
    products[#products + 1] = id
  end
  mode = os.getenv("BENCH_MODE") or "separate"
  thread_count = tonumber(os.getenv("BENCH_THREADS") or "1")
  offset = tonumber(os.getenv("BENCH_TOKEN_OFFSET") or "0")
  run = os.getenv("BENCH_RUN") or "run"
  sent = 0
  if mode == "hot" then
    product = products[1]
  else
    product = products[(thread_index % #products) + 1]
  end
  body = '[{"id": ' .. product .. ', "quantity": 1}]'
end

function request()
  local token = tokens[((offset + thread_index + sent * thread_count) % #tokens) + 1]
  sent = sent + 1
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = "bench-" .. run .. "-" .. thread_index .. "-" .. sent,
  }
  return wrk.format("POST", "/orders/new", headers, body)
end
