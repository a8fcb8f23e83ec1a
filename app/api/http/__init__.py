"""HTTP plumbing: body and rate limits, middleware, metrics, problem documents, cached responses, pages."""
