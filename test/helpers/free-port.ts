/** Tests take loopback ports the same way the demo does. */
export { freeLoopbackPort as freePort } from '../../electron/main/demo/free-port.js';
