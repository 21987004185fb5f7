"""Files countystats writes: report workbooks in every layout (:mod:`.layouts`: templates, examples) from the plan
of their cells (:mod:`.plan`), the same plan as Word, PDF and HTML documents (:mod:`.documents`), the county's
consolidated report (:mod:`.export`), and every text from a unit written so it never becomes a formula
(:mod:`.safe_text`)."""
