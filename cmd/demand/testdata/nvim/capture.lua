-- Keeps the last publishDiagnostics params Neovim's client receives,
-- before handing them to Neovim's own handler.
local publish = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
  if result and #result.diagnostics > 0 then
    _G.demand_received = result
  end
  return publish(err, result, ctx, config)
end
