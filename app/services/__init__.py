"""Use cases: each public function is one transaction, committed here and nowhere else."""
