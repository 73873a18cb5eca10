-- Attaches `demand lsp` to the current buffer with Neovim's built-in
-- client, waits for its diagnostics and writes what Neovim holds to
-- $DEMAND_NVIM_OUT as JSON. vim.lsp.start_client works from 0.7 (Debian
-- bookworm) on; vim.lsp.start only from 0.8.
local received = nil
local handlers = {
  ['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
    vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx, config)
    if result and #result.diagnostics > 0 then
      received = result
    end
  end,
}
local id = vim.lsp.start_client({
  name = 'demand',
  cmd = { vim.env.DEMAND_BIN, 'lsp' },
  root_dir = vim.env.DEMAND_ROOT,
  handlers = handlers,
})
vim.lsp.buf_attach_client(0, id)
local ok = vim.wait(30000, function() return received ~= nil end, 50)
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
local v = vim.version()
local f = assert(io.open(vim.env.DEMAND_NVIM_OUT, 'w'))
f:write(vim.fn.json_encode({
  ok = ok,
  nvim = string.format('%d.%d.%d', v.major, v.minor, v.patch),
  received = received,
  diagnostics = diags,
}))
f:close()
vim.lsp.stop_client(id)
vim.wait(5000, function() return vim.lsp.client_is_stopped(id) end, 50)
vim.cmd('qa!')
