-- Run after init.lua (the README's setup for Neovim 0.7+) has attached
-- demand lsp to the buffer: waits for its diagnostics and writes what
-- Neovim holds to $DEMAND_NVIM_OUT as JSON.
local ok = vim.wait(30000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local diags = {}
for _, d in ipairs(vim.diagnostic.get(0)) do
  local code = d.code
  if code == nil and d.user_data and d.user_data.lsp then
    code = d.user_data.lsp.code
  end
  table.insert(diags, {
    lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
    severity = d.severity, source = d.source, code = code, message = d.message,
  })
end
local function codes()
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(out, d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code))
  end
  table.sort(out)
  return out
end

-- An edit in the buffer, not saved: the enum error fixed.
local line = vim.api.nvim_buf_get_lines(0, 5, 6, false)[1]
vim.api.nvim_buf_set_lines(0, 5, 6, false, { (line:gsub('vipp', 'vip')) })
local edited = vim.wait(30000, function()
  return #vim.diagnostic.get(0) > 0 and not vim.tbl_contains(codes(), 'enum')
end, 50)

-- Completion of the status value on line 4 ("status: new").
local labels = {}
local res = vim.lsp.buf_request_sync(0, 'textDocument/completion', {
  textDocument = vim.lsp.util.make_text_document_params(),
  position = { line = 3, character = 8 },
}, 10000)
for _, r in pairs(res or {}) do
  local items = r.result and (r.result.items or r.result) or {}
  for _, it in ipairs(items) do
    table.insert(labels, it.label .. ' ' .. (it.detail or ''))
  end
end

local clients = {}
for _, c in pairs(vim.lsp.get_active_clients()) do
  table.insert(clients, c.name)
end
local v = vim.version()
local f = assert(io.open(vim.env.DEMAND_NVIM_OUT, 'w'))
f:write(vim.fn.json_encode({
  ok = ok,
  nvim = string.format('%d.%d.%d', v.major, v.minor, v.patch),
  clients = clients,
  received = _G.demand_received,
  diagnostics = diags,
  edited = edited,
  after_edit = codes(),
  completion = labels,
}))
f:close()
vim.lsp.stop_client(vim.lsp.get_active_clients())
vim.wait(5000, function() return #vim.lsp.get_active_clients() == 0 end, 50)
vim.cmd('qa!')
