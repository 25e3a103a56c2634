// Entry of the pipeline worker thread. Under `tsx` (4.23, Node 20) the TypeScript loader is
// registered for the main thread only, so the worker registers it before importing its
// TypeScript body, named in workerData.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.entry)
