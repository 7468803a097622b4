"""Reads an XLSX file with openpyxl and prints every sheet's cells as JSON:
{"sheet name": [[cell, ...], ...]}. Used by the integration tests to prove the annual
report export opens in a real spreadsheet reader with the right values and types."""
import json
import sys

import openpyxl

wb = openpyxl.load_workbook(sys.argv[1], data_only=True)
out = {}
for ws in wb.worksheets:
    out[ws.title] = [[c.value for c in row] for row in ws.iter_rows()]
print(json.dumps(out, ensure_ascii=False))
