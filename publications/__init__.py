"""Leadership publications: monthly/quarterly reports (PDF, XLSX) built from the lake, reproducible."""
