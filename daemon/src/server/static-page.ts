/**
 * Serves the built web page at `/`. The folder is listed once at startup and requests only pick
 * from that list, so a request path never reaches the file system.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'

import { Hono } from 'hono'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
}

const MISSING_PAGE = `<!doctype html><meta charset="utf-8"><title>partfield-bridge</title>
<p>The partfield-bridge daemon is running, but the web page has not been built.
The HTTP API is under <code>/v1</code>; see <a href="/openapi.json">/openapi.json</a>.</p>`

/** Lists the files under `dir` as URL paths (`/index.html`, `/assets/app.js`). */
export async function listPageFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  let entries
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true })
  } catch {
    return files
  }
  for (const entry of entries) {
    if (!entry.isFile()) continue
    const path = join(entry.parentPath, entry.name)
    files.set(`/${relative(dir, path).split(sep).join('/')}`, path)
  }
  return files
}

export function staticPage(files: Map<string, string>): Hono {
  const app = new Hono()
  app.get('*', async (c, next) => {
    const path = c.req.path === '/' ? '/index.html' : c.req.path
    const file = files.get(path)
    if (!file) {
      if (c.req.path === '/') return c.html(MISSING_PAGE)
      return next()
    }
    const extension = path.slice(path.lastIndexOf('.'))
    const body = await readFile(file)
    return c.body(body, 200, {
      'content-type': CONTENT_TYPES[extension] ?? 'application/octet-stream',
      'cache-control': path === '/index.html' ? 'no-cache' : 'public, max-age=3600',
    })
  })
  return app
}
