/** The seed article and its quotes, shared by the tests and `npm run demo`. */
export * from '../../src/demo/seed-article';
