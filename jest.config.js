/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  // jose, stream-json (with its stream-chain), the MVT writer @maplibre/vt-pbf and the decoder the tests use
  // (@mapbox/vector-tile, with pbf and @mapbox/point-geometry) ship ES modules only; ts-jest turns them into
  // CommonJS like the rest of the suite.
  transform: { '^.+\\.[tj]s$': ['ts-jest', { tsconfig: { allowJs: true, isolatedModules: true }, diagnostics: false }] },
  transformIgnorePatterns: ['/node_modules/(?!(jose|stream-json|stream-chain|@maplibre/vt-pbf|@mapbox/vector-tile|@mapbox/point-geometry|pbf)/)'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  testTimeout: 60000,
};
