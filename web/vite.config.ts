import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// `npm run dev -w web` serves the portal with hot reload and forwards Berth's own paths
// to a running Berth (BERTH_URL, default http://127.0.0.1:8080).
const berth = process.env.BERTH_URL ?? 'http://127.0.0.1:8080';
const proxied = Object.fromEntries(
  ['/api', '/c', '/v2', '/service'].map((path) => [path, { target: berth, changeOrigin: false }]),
);

export default defineConfig({
  plugins: [react()],
  server: { proxy: proxied },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1500 },
  test: {
    environment: 'jsdom',
    setupFiles: ['./vitest.setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
  },
});
