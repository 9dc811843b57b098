"""mode="fill" without fill_value fills with a default (NaN for floats, the most negative value for
integers). Pass fill_value=-1.
"""


def lookup(table, idx):
    return table.at[idx].get(mode="fill")
