/** The wire protocol shared by the daemon and its TypeScript clients. */
export * from './codec.js'
export * from './messages.js'
export * from './params.js'
export * from './part-tree.js'
export * from './requests.js'
export * from './responses.js'
export * from './typed-bytes.js'
export * from './version.js'
