"""Words for people: wording rules, the intended-use notice, clinician sentences, CSV safety."""
