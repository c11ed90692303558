// Package registry describes what scopegate knows before any call is made:
// providers and their scope catalogs, connections, requirements and tool
// descriptors. It holds data and the small amount of logic that reads it; it
// makes no network calls and imports nothing else from scopegate.
package registry
