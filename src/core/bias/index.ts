/**
 * The dataset-bias views (issue 7), isomorphic part: the seeded portrait generator with its co-occurrence
 * design, attribute correlations (phi) in data and predictions, the CelebA attribute-list format, and where a
 * model looks for each attribute. The Node-only file reader is src/core/bias/celeba-file.ts.
 */
export * from './analyze.js';
export * from './attribution.js';
export * from './celeba.js';
export * from './cooccurrence.js';
export * from './correlation.js';
export * from './evidence.js';
export * from './generator.js';
