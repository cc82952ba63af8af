// Package topology is the one declaration of the Workers of the platform
// (docs/decisions/0026-one-worker-declaration.md). Each Worker of Workers
// carries everything that is the same in every environment:
//
//   - its bindings: which storage objects, queues, Workers AI and other
//     Workers it binds, under which binding name (the variable names the
//     Worker code reads from its env, so they change only together with the
//     application code);
//   - the queues it consumes, each with its dead-letter queue and its
//     default batch and retry settings;
//   - its default cron schedules;
//   - how its bundle is found: the object BundleKey of the release an
//     environment pins under PinKey.
//
// Everything else derives from it: the scripts, consumers and cron
// triggers the program declares, the pins config.Load requires of every
// stack file, the consumer checks, the bundles the sandbox's artifact store
// publishes and the docs tables a test compares. A stack file may only tune
// what differs per environment (consumer settings, schedules, the pinned
// release); see package config. Validate checks a declaration.
package topology
