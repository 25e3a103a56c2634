// Entry of every compute worker. Under `tsx` the TypeScript loader is registered for the main
// thread only (tsx 4.23, Node 20), so each worker registers it itself before importing the
// TypeScript entry named in workerData.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.entry)
