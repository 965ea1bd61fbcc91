// For the projects that train convolutional priors on many steps: the cpu backend as `@vaejs/backend` sets it up for
// users (`setupBackend({ backend: 'cpu' })`: its filter gradient as one forward convolution, tested equal to the stock
// kernel, and the backward pass that frees as it goes), so that those tests do not wait on tfjs' element-by-element
// cpu Conv2DBackpropFilter. Runs after vitest.setup.ts.
import { setupBackend } from '@vaejs/backend';

await setupBackend({ backend: 'cpu' });
