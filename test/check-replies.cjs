// Every server the tests start, in process or as a child (`cli/main.ts serve`), parses each of
// its results and pushes with its schema before sending it (server/op-handlers.ts): a reply that
// strays from protocol/messages.ts is answered INTERNAL and fails the test that caused it.
// CommonJS because mocha loads --require files with require().
process.env.RAPIER_GYM_CHECK_REPLIES = "1";
