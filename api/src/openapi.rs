//! The OpenAPI 3.1 document, generated from the route table, and an offline docs page.

use serde_json::{json, Map, Value};

use crate::spec::{Access, Body, ROUTES};

fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
        .collect()
}

fn operation(spec: &crate::spec::RouteSpec) -> Value {
    let mut op = json!({
        "summary": spec.summary,
        "tags": [spec.tag],
        "parameters": path_parameters(spec.path),
        "responses": {
            "200": { "description": "Success", "content": { "application/json": {} } },
            "400": { "$ref": "#/components/responses/Problem" },
            "404": { "$ref": "#/components/responses/Problem" },
            "422": { "$ref": "#/components/responses/Problem" },
        },
    });
    match spec.body {
        Body::Json => {
            op["requestBody"] =
                json!({ "required": true, "content": { "application/json": { "schema": { "type": "object" } } } })
        }
        Body::Toml => {
            op["requestBody"] =
                json!({ "required": true, "content": { "application/toml": { "schema": { "type": "string" } } } })
        }
        Body::Csv => {
            op["requestBody"] =
                json!({ "required": true, "content": { "text/csv": { "schema": { "type": "string" } } } })
        }
        Body::Binary => {
            let file = json!({ "schema": { "type": "string", "format": "binary" } });
            op["requestBody"] = json!({ "required": true, "content": {
                "application/pdf": file.clone(), "image/jpeg": file.clone(), "image/png": file } })
        }
        Body::Image => {
            let file = json!({ "schema": { "type": "string", "format": "binary" } });
            op["requestBody"] =
                json!({ "required": true, "content": { "image/jpeg": file.clone(), "image/png": file } })
        }
        Body::None => {}
    }
    match spec.access {
        Access::Public => op["security"] = json!([]),
        Access::Authenticated => {
            op["responses"]["401"] = json!({ "$ref": "#/components/responses/Problem" });
        }
        Access::Permission(p) => {
            op["responses"]["401"] = json!({ "$ref": "#/components/responses/Problem" });
            op["responses"]["403"] = json!({ "$ref": "#/components/responses/Problem" });
            op["x-permission"] = json!(p);
            op["description"] = json!(format!("Requires permission `{p}`."));
        }
    }
    op
}

pub fn document() -> Value {
    let mut paths = Map::new();
    for spec in ROUTES {
        let entry = paths.entry(spec.path.to_string()).or_insert_with(|| json!({}));
        entry[spec.method.to_lowercase()] = operation(spec);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "AURA API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Durable workflow engine for real-estate teams. Errors are application/problem+json with a stable `code`.",
        },
        "security": [{ "bearer": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT" } },
            "schemas": {
                "Problem": {
                    "type": "object",
                    "required": ["type", "title", "status", "code", "detail"],
                    "properties": {
                        "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" },
                        "code": { "type": "string", "description": "Stable machine-readable error code." },
                        "detail": { "type": "string" }, "errors": { "type": "array", "items": { "type": "object" } },
                    },
                },
            },
            "responses": {
                "Problem": { "description": "An error", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } },
            },
        },
    })
}

/// A self-contained page (no CDN): lists the operations from /openapi.json and lets you call
/// them with a bearer token.
pub const DOCS_HTML: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AURA API</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2433;background:#f6f7f9}
header{background:#10233f;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}
main{max-width:1100px;margin:0 auto;padding:16px 24px}
.op{background:#fff;border:1px solid #dde1e7;border-radius:6px;margin:8px 0}
.op summary{cursor:pointer;padding:8px 12px;display:flex;gap:12px;align-items:center}
.m{font-weight:700;width:64px;text-align:center;border-radius:4px;color:#fff;padding:2px 0;font-size:12px}
.GET{background:#2f7d32}.POST{background:#1f5fbf}.PUT{background:#a66a00}.PATCH{background:#6a4bb5}.DELETE{background:#b3261e}
.p{font-family:ui-monospace,monospace}.perm{margin-left:auto;color:#5b6475;font-size:12px}
.body{padding:8px 12px;border-top:1px solid #eef0f3}textarea,input{width:100%;font-family:ui-monospace,monospace;box-sizing:border-box}
pre{background:#0f1724;color:#d8e1ee;padding:10px;border-radius:4px;overflow:auto;max-height:360px}
h2{margin-top:24px;text-transform:capitalize}
</style></head><body>
<header><h1>AURA API</h1><div id="desc"></div></header>
<main>
<p>Bearer token (from <code>POST /auth/login</code>): <input id="token" aria-label="access token" title="paste the access_token here"></p>
<div id="ops">Loading /openapi.json…</div>
</main>
<script>
const esc=s=>String(s).replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
fetch('/openapi.json').then(r=>r.json()).then(doc=>{
  document.getElementById('desc').textContent=doc.info.description;
  const byTag={};
  for(const [path,ops] of Object.entries(doc.paths)) for(const [m,op] of Object.entries(ops)) (byTag[op.tags[0]]=byTag[op.tags[0]]||[]).push([m.toUpperCase(),path,op]);
  const root=document.getElementById('ops');root.innerHTML='';
  for(const [tag,ops] of Object.entries(byTag)){
    const h=document.createElement('h2');h.textContent=tag;root.appendChild(h);
    for(const [m,path,op] of ops){
      const d=document.createElement('details');d.className='op';
      const hasBody=!!op.requestBody;const ct=hasBody?Object.keys(op.requestBody.content)[0]:'';
      d.innerHTML=`<summary><span class="m ${m}">${m}</span><span class="p">${esc(path)}</span><span>${esc(op.summary)}</span><span class="perm">${esc(op['x-permission']||'')}</span></summary>
      <div class="body"><label>Path <input class="url" value="${esc(path)}"></label>
      ${hasBody?`<label>Body (${ct}) <textarea rows="6" class="req">${ct.includes('json')?'{}':''}</textarea></label>`:''}
      <button>Send</button><pre class="out"></pre></div>`;
      d.querySelector('button').onclick=async()=>{
        const headers={};const t=document.getElementById('token').value.trim();if(t)headers['Authorization']='Bearer '+t;
        let body;if(hasBody){headers['Content-Type']=ct;body=d.querySelector('.req').value;}
        const res=await fetch(d.querySelector('.url').value,{method:m,headers,body});
        const text=await res.text();let shown=text;try{shown=JSON.stringify(JSON.parse(text),null,2)}catch(e){}
        d.querySelector('.out').textContent=res.status+' '+res.statusText+'\n\n'+shown;
      };
      root.appendChild(d);
    }
  }
});
</script></body></html>"#;
