// bottleneck/light.js is the build without the Redis clustering code; it has the same API.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck'
  export default Bottleneck
}
