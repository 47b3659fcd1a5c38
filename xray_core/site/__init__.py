"""Site validation: how the model does on a hospital's own labelled cases, and a local
operating point (`python -m xray_core validate-site`).

Modules:
    threshold  the proposed local threshold: the highest one whose one-sided lower confidence
               bound of sensitivity (Clopper-Pearson) meets the target
    cases      labelled local cases from a folder (scored here) or a scored archive + labels
    report     the validation report: AUC and operating points with CIs, calibration,
               optional local recalibration held out on the rest, the proposal
    profiles   site profiles in the user-data folder; applying one to a loaded model
    pdf        the report as a PDF (fpdf2)
"""
