// draco3d 1.5 ships without type declarations. The loader passes its modules to glTF-Transform
// as opaque dependencies, and the fixture generator does the same with the encoder.
declare module 'draco3d' {
  export function createDecoderModule(options?: object): Promise<unknown>
  export function createEncoderModule(options?: object): Promise<unknown>
  const draco3d: {
    createDecoderModule: typeof createDecoderModule
    createEncoderModule: typeof createEncoderModule
  }
  export default draco3d
}
