"""Amazon Seller Central flat files in: decoding, column mapping by header name, and one module per report."""
