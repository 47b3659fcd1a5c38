"""Reading an image: the file guard, decoders (incl. DICOM), the contract, one upload."""
