"""The dataset on disk: class folders, patient-level splits, samples, overview."""
