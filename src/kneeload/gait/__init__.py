"""Generated gait cycles: forward and backward walking and running at a speed, grade and body
size (DESIGN.md §4.2), in the same form as measured trials so the rest of the pipeline is shared.
"""
