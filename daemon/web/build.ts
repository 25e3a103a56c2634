/**
 * Builds the web page into a folder the daemon serves at `/`: the TypeScript bundled with
 * three.js from node_modules (no CDN, so the page works on a pod without internet access), the
 * style sheet, and index.html pointing at both. Script and style names carry a content hash,
 * because the daemon lets browsers cache everything except index.html for an hour.
 *
 * `npm run build:web` writes daemon/web/dist; `tsx daemon/web/build.ts DIR` writes DIR.
 */
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { basename, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const WEB_DIR = fileURLToPath(new URL('.', import.meta.url))
export const DEFAULT_OUT_DIR = join(WEB_DIR, 'dist')

export interface BuiltPage {
  outDir: string
  /** File names written, relative to outDir. */
  files: string[]
  /** Bytes of the script bundle. */
  scriptBytes: number
}

export async function buildWebPage(outDir = DEFAULT_OUT_DIR): Promise<BuiltPage> {
  // Imported here so that the daemon's production install, which lacks esbuild, can still
  // import this module's constants; only building needs it.
  const esbuild = await import('esbuild')
  await mkdir(outDir, { recursive: true })
  await removeEarlierBuild(outDir)

  const result = await esbuild.build({
    entryPoints: { app: join(WEB_DIR, 'src/main.ts'), style: join(WEB_DIR, 'styles.css') },
    outdir: outDir,
    entryNames: '[name]-[hash]',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome100', 'firefox100', 'safari15'],
    minify: true,
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'linked',
  })

  const outputs = Object.entries(result.metafile.outputs).map(([path, output]) => ({ path: resolve(path), bytes: output.bytes }))
  const script = outputs.find((output) => /app-[^/]*\.js$/.test(output.path))
  const style = outputs.find((output) => /style-[^/]*\.css$/.test(output.path))
  if (!script || !style) throw new Error(`esbuild wrote no app script or style sheet in ${outDir}`)

  const template = await readFile(join(WEB_DIR, 'index.html'), 'utf8')
  const html = template.replace('%STYLE%', basename(style.path)).replace('%SCRIPT%', basename(script.path))
  await writeFile(join(outDir, 'index.html'), html)
  return { outDir, files: [...outputs.map((output) => basename(output.path)), 'index.html'], scriptBytes: script.bytes }
}

/** Names this build writes: index.html and hashed scripts and styles with their maps and licences. */
const BUILD_OUTPUT = /^(index\.html|(app|style)-[A-Z0-9]+\.(js|css)(\.map|\.LEGAL\.txt)?)$/

/** Deletes an earlier build's files, and only those, so a folder given by mistake loses nothing else. */
async function removeEarlierBuild(outDir: string): Promise<void> {
  for (const name of await readdir(outDir)) {
    if (BUILD_OUTPUT.test(name)) await rm(join(outDir, name))
  }
}

async function main(): Promise<void> {
  const outDir = resolve(process.argv[2] ?? DEFAULT_OUT_DIR)
  const start = performance.now()
  let built: BuiltPage
  try {
    built = await buildWebPage(outDir)
  } catch (error) {
    // `npm start` runs this first. An install without development packages has no esbuild, and
    // the daemon must still start there, serving the page built earlier or a placeholder.
    const missing = (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND'
    if (missing && process.env.npm_lifecycle_event === 'prestart') {
      const page = existsSync(join(outDir, 'index.html')) ? `the page already in ${outDir}` : 'a placeholder page'
      process.stderr.write(`warning: esbuild is not installed, so the web page was not rebuilt; the daemon serves ${page}\n`)
      return
    }
    throw error
  }
  const ms = Math.round(performance.now() - start)
  const kb = Math.round(built.scriptBytes / 1024)
  process.stdout.write(`web page built in ${outDir}: ${built.files.length} files, script ${kb} KB, ${ms} ms\n`)
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`error: cannot build the web page: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  })
}
