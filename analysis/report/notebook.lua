-- Pandoc Lua filter: render an executed notebook as a report.
-- * keeps the best output of each cell: image, then Markdown, then an HTML table
--   parsed into a real table, then plain text (ANSI colour codes stripped);
-- * drops stderr streams (warnings name temporary files and kernel ids, so they would make
--   reports differ run to run; they stay in the executed notebook for inspection);
-- * honours the cell tags remove-cell, remove-input, hide-input and papermill's
--   report mode (jupyter.source_hidden); drops parameters and injected-parameters cells;
-- * takes the document title from the first level-1 heading.

local function tags(attr)
  local t = attr.attributes["tags"] or ""
  local found = {}
  for tag in t:gmatch('"([^"]+)"') do found[tag] = true end
  return found
end

local function strip_ansi(s)
  return (s:gsub("\27%[[%d;]*[A-Za-z]", ""))
end

-- A table of many columns is set in smaller type with tighter cells so that its numbers,
-- dates and hashes fit; one of very many columns gets a landscape page of its own.
local WIDE, VERY_WIDE = 9, 12
local function fit_wide_tables(blocks)
  local out = {}
  for _, b in ipairs(blocks) do
    if b.t == "Table" and #b.colspecs >= VERY_WIDE then
      table.insert(out, pandoc.RawBlock("typst", "#page(flipped: true)[#set text(size: 6pt); #set table(inset: 2.5pt)"))
      table.insert(out, b)
      table.insert(out, pandoc.RawBlock("typst", "]"))
    elseif b.t == "Table" and #b.colspecs >= WIDE then
      table.insert(out, pandoc.RawBlock("typst", "#[#set text(size: 5.5pt); #set table(inset: 2.5pt)"))
      table.insert(out, b)
      table.insert(out, pandoc.RawBlock("typst", "]"))
    else
      table.insert(out, b)
    end
  end
  return out
end

local function best_output(div)
  local image, markdown, html, text
  for _, b in ipairs(div.content) do
    if (b.t == "Para" or b.t == "Plain") and b.content[1] and b.content[1].t == "Image" then
      image = image or b
    elseif b.t == "Figure" then
      image = image or b
    elseif b.t == "RawBlock" and b.format == "markdown" then
      markdown = markdown or b.text
    elseif b.t == "RawBlock" and b.format == "html" then
      html = html or b.text
    elseif b.t == "CodeBlock" then
      text = text or b.text
    end
  end
  if image then
    return { image:walk({ Image = function(img) img.attributes.width = "100%"; return img end }) }
  end
  if markdown then return fit_wide_tables(pandoc.read(markdown, "markdown").blocks) end
  if html and html:find("<table") then return fit_wide_tables(pandoc.read(html, "html").blocks) end
  if text then return { pandoc.CodeBlock(strip_ansi(text)) } end
  return {}
end

function Div(div)
  if not div.classes:includes("cell") then return nil end
  local t = tags(div.attr)
  if t["parameters"] or t["injected-parameters"] or t["remove-cell"] then return {} end
  if not div.classes:includes("code") then return div.content end
  local jupyter = div.attr.attributes["jupyter"] or ""
  local hide_input = t["remove-input"] or t["hide-input"] or jupyter:find('"source_hidden":%s*true') ~= nil
  local out = {}
  for _, b in ipairs(div.content) do
    if b.t == "Div" and b.classes:includes("output") and not b.classes:includes("stderr") then
      for _, x in ipairs(best_output(b)) do table.insert(out, x) end
    elseif b.t == "CodeBlock" and not hide_input then
      table.insert(out, b)
    end
  end
  return out
end

function Pandoc(doc)
  if not doc.meta.title then
    for _, b in ipairs(doc.blocks) do
      if b.t == "Header" and b.level == 1 then
        doc.meta.title = b.content
        break
      end
    end
  end
  doc.meta.date = nil
  return doc
end
